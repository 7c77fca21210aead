"""Where robots and deliveries sit, for permissions and audit scoping."""

from mediadesk.core.scopes import Scope, register
from mediadesk.notifications.models import ChannelPreference, Delivery, GroupRobot


def _delivery_scope(delivery: Delivery) -> Scope:
    if delivery.robot_id:
        return Scope(unit_path=delivery.robot.org_unit.path)
    person = delivery.recipient
    return Scope(unit_path=person.org_unit.path if person and person.org_unit_id else "")


register(GroupRobot, lambda robot: Scope(unit_path=robot.org_unit.path))
register(Delivery, _delivery_scope)
register(
    ChannelPreference,
    lambda p: Scope(unit_path=p.person.org_unit.path if p.person.org_unit_id else ""),
)
