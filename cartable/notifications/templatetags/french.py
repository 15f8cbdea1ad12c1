"""{% load french %} in any template: the "de"/"d’" filter of cartable.lib.french (lib is not an app, so its
filter library is exposed from here)."""

from cartable.lib.french import register

__all__ = ["register"]
