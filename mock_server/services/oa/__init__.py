"""OA: approvals, calendars and schedules, meetings, check-in, vacation,
meeting rooms, journals.

The admin routes (``admin.py``) import ``mock_server.admin`` -> ``emulator``, which imports this
package through the API mixin; they are imported by ``OAAPI._init_family_oa`` instead.
"""

from mock_server.services.oa import approval_handlers as approval_handlers
from mock_server.services.oa import approval_legacy as approval_legacy
from mock_server.services.oa import approval_open as approval_open
from mock_server.services.oa import approval_templates as approval_templates
from mock_server.services.oa import calendars as calendars
from mock_server.services.oa import checkin as checkin
from mock_server.services.oa import dial as dial
from mock_server.services.oa import fixture as fixture
from mock_server.services.oa import journal as journal
from mock_server.services.oa import living as living
from mock_server.services.oa import meetingroom as meetingroom
from mock_server.services.oa import meetings as meetings
from mock_server.services.oa import schedules as schedules
from mock_server.services.oa import vacation as vacation
