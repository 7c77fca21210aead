from mediadesk.compliance.models import LexiconEntry
from mediadesk.core.scopes import Scope, register

register(LexiconEntry, lambda entry: Scope(unit_path=entry.org_unit.path))
