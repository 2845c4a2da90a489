"""WSGI entry point: `gunicorn --preload ladder.site.wsgi`.

The application is made ready before it takes traffic (ladder/site/warm.py): with
--preload once, in gunicorn's master, and every worker forked from it starts warm.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ladder.site.settings")
application = get_wsgi_application()

from ladder.site.warm import warm_up  # noqa: E402 (Django is set up only now)

warm_up()
