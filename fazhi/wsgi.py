import os

from django.core.wsgi import get_wsgi_application

from fazhi.core.heap import freeze_startup_objects

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fazhi.settings")
application = get_wsgi_application()
freeze_startup_objects()
