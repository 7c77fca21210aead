from django.core.management.base import BaseCommand

from mediadesk.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo organisation and data (idempotent)."

    def handle(self, *args, **options):
        load_demo()
        self.stdout.write("demo data ready")
