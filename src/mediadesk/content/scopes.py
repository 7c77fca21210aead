"""Where content and its review records sit, for permissions and audit scoping."""

from mediadesk.content.models import (
    Asset,
    ContentItem,
    Goal,
    Revision,
    StageDecision,
    Topic,
    Variant,
    Workflow,
    WorkflowStage,
    WorkflowState,
)
from mediadesk.core.scopes import Scope, register


def _item_scope(item: ContentItem) -> Scope:
    return Scope(unit_path=item.owning_unit.path)


def _owned_scope(obj: Goal | Topic | Asset) -> Scope:
    return Scope(unit_path=obj.owning_unit.path)


def _workflow_scope(workflow: Workflow) -> Scope:
    if workflow.account_id:
        return Scope(unit_path=workflow.account.owning_unit.path, account_id=workflow.account_id)
    return Scope(unit_path=workflow.owning_unit.path if workflow.owning_unit_id else "")


register(ContentItem, _item_scope)
register(Variant, lambda v: _item_scope(v.item))
register(Revision, lambda r: _item_scope(r.item))
register(WorkflowState, lambda s: _item_scope(s.item))
register(StageDecision, lambda d: _item_scope(d.state.item))
register(Workflow, _workflow_scope)
register(WorkflowStage, lambda s: _workflow_scope(s.workflow))
register(Goal, _owned_scope)
register(Topic, _owned_scope)
register(Asset, _owned_scope)
