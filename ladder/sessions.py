"""Sessions in the database with their user's id beside them (ladder.models.UserSession).

Set as SESSION_ENGINE. Everything else is Django's database store; the id lets
Ladder end a person's sessions when they are deactivated or deprovisioned.
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseStore


class SessionStore(DatabaseStore):
    @classmethod
    def get_model_class(cls):
        from ladder.models import UserSession

        return UserSession

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        user_id = data.get("_auth_user_id")
        instance.user_id = int(user_id) if user_id and str(user_id).isdigit() else None
        return instance
