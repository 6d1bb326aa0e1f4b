"""Channel use cases: accounts, SKU mappings, the exception queue, ingestion of external orders
(pull, push, agent sheets) and their conversion into internal orders, and logistics reports.

One module per use case; this package re-exports their public names so callers write
``from zhongshu.channels import services`` / ``services.mapping_save``.

The system actor is the user ``channel-bot``: active (so the permission module grants it its roles)
but with an unusable password, so nobody can log in as it. It holds the sales role (create, submit,
create customers) and the planner role (every region's customers). Channel orders, customers and
cancellations it makes are audited under its name.
"""

from zhongshu.accounts import permissions
from zhongshu.core.errors import DomainError, NotFound, ValidationFailed

from ._common import (
    AGENT_HEADERS,
    BOT_ROLES,
    BOT_USERNAME,
    CUSTOMER_PREFIX,
    MAPPING_HEADERS,
    State,
    channel_bot,
    normalize,
    normalize_agent,
    read_sheet,
)
from .accounts import (
    SECRET_FIELDS,
    account_create,
    account_update,
    agent_for_key,
    agent_key_rotate,
    client_for,
    credentials,
    get_account,
    sync_now,
)
from .agents import agent_upload
from .carriers import carrier_mapping_delete, carrier_mapping_save, carriers_refresh
from .ingest import Ingest
from .mappings import (
    address_rule_delete,
    address_rule_save,
    address_rule_update,
    mapping_delete,
    mapping_import,
    mapping_save,
)
from .push import push_douyin, push_taobao
from .retry import (
    exception_dismiss,
    map_and_retry,
    retry_channel_order,
    route_and_retry,
)
from .routing import (
    clean_routing_rule,
    route_converted,
    routing_rule_delete,
    routing_rule_save,
)
from .unreadable import unreadable_record

__all__ = [
    "AGENT_HEADERS",
    "BOT_ROLES",
    "BOT_USERNAME",
    "CUSTOMER_PREFIX",
    "MAPPING_HEADERS",
    "SECRET_FIELDS",
    "DomainError",
    "Ingest",
    "NotFound",
    "State",
    "ValidationFailed",
    "account_create",
    "account_update",
    "address_rule_delete",
    "address_rule_save",
    "address_rule_update",
    "agent_for_key",
    "agent_key_rotate",
    "agent_upload",
    "carrier_mapping_delete",
    "carrier_mapping_save",
    "carriers_refresh",
    "channel_bot",
    "clean_routing_rule",
    "client_for",
    "credentials",
    "exception_dismiss",
    "get_account",
    "map_and_retry",
    "mapping_delete",
    "mapping_import",
    "mapping_save",
    "normalize",
    "normalize_agent",
    "permissions",
    "push_douyin",
    "push_taobao",
    "read_sheet",
    "retry_channel_order",
    "route_and_retry",
    "route_converted",
    "routing_rule_delete",
    "routing_rule_save",
    "sync_now",
    "unreadable_record",
]
