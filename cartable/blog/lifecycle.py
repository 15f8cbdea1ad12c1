"""The class blog in a person's lifecycle (cartable.lib.lifecycle): posts and comments are their authors'
contributions (rule C5), kept under "Ancien compte" unless the author objected at closure, when they go
with the account (the foreign keys cascade)."""

from __future__ import annotations

from cartable.blog.models import Comment, Post
from cartable.lib.lifecycle import Fate

PERSONAL_DATA = {
    Post: Fate.CONTRIBUTION,
    Comment: Fate.CONTRIBUTION,
}
