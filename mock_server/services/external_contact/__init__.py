"""Customer contact (客户联系 / 外部联系人): customers, follow users, corp tags, customer groups,
and the SCRM calls (contact ways, welcome messages, mass messages, transfers).

The admin routes (``admin.py``) are imported by ``ExternalContactAPI._init_family_external``
because ``mock_server.admin`` needs the emulator module, which imports this package.
"""

from mock_server.services.external_contact import contact_way_handlers as contact_way_handlers
from mock_server.services.external_contact import fixture as fixture
from mock_server.services.external_contact import groupmsg_handlers as groupmsg_handlers
from mock_server.services.external_contact import handlers as handlers
from mock_server.services.external_contact import join_way_handlers as join_way_handlers
from mock_server.services.external_contact import moment_handlers as moment_handlers
from mock_server.services.external_contact import statistic_handlers as statistic_handlers
from mock_server.services.external_contact import transfer_handlers as transfer_handlers
