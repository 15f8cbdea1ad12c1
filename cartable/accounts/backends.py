from django.contrib.auth.backends import ModelBackend


class CartableBackend(ModelBackend):
    """Usernames are case-insensitive; blocked accounts cannot log in."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is not None:
            username = username.strip().lower()
        return super().authenticate(request, username=username, password=password, **kwargs)

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and getattr(user, "blocked_at", None) is None
