"""The OA plugin: approvals, calendars and schedules, meetings, check-in, vacation, meeting
rooms, journals, the approval-flow engine, live streams, public-phone records."""

from __future__ import annotations

from mock_server.core.plugin import Plugin
from mock_server.services.oa import admin, approval_handlers, approval_open, fixture, store

# Their endpoints are declared on approval_handlers.api.
from mock_server.services.oa import approval_legacy as _approval_legacy  # noqa: F401
from mock_server.services.oa import approval_templates as _approval_templates  # noqa: F401
from mock_server.services.oa.api import OAAPI
from mock_server.services.oa.calendar import handlers as calendar_handlers
from mock_server.services.oa.checkin import fixture as checkin_fixture
from mock_server.services.oa.checkin import handlers as checkin_handlers
from mock_server.services.oa.checkin import models as checkin_models
from mock_server.services.oa.dial import handlers as dial
from mock_server.services.oa.journal import fixture as journal_fixture
from mock_server.services.oa.journal import handlers as journal_handlers
from mock_server.services.oa.journal import models as journal_models
from mock_server.services.oa.living import handlers as living_handlers
from mock_server.services.oa.living import models as living_models
from mock_server.services.oa.meeting import handlers as meeting_handlers
from mock_server.services.oa.meetingroom import fixture as room_fixture
from mock_server.services.oa.meetingroom import handlers as room_handlers
from mock_server.services.oa.meetingroom import models as room_models
from mock_server.services.oa.schedule import handlers as schedule_handlers
from mock_server.services.oa.vacation import fixture as vacation_fixture
from mock_server.services.oa.vacation import handlers as vacation_handlers
from mock_server.services.oa.vacation import models as vacation_models

plugin = Plugin(
    name="oa",
    families=(
        approval_handlers.api,
        calendar_handlers.api,
        schedule_handlers.api,
        meeting_handlers.api,
        checkin_handlers.api,
        vacation_handlers.api,
        room_handlers.api,
        journal_handlers.api,
        living_handlers.api,
        dial.api,
    ),
    stores={
        "oa": lambda corp: store.OAStore(),
        "checkin": lambda corp: checkin_models.CheckinStore(),
        "vacation": lambda corp: vacation_models.VacationStore(),
        "meetingroom": lambda corp: room_models.MeetingRoomStore(),
        "journal": lambda corp: journal_models.JournalStore(),
        "living": lambda corp: living_models.LivingStore(),
        "dial": lambda corp: dial.DialStore(),
        "oa_open": lambda corp: approval_open.OpenApprovalStore(),
    },
    fixture=(
        fixture.section,
        checkin_fixture.section,
        vacation_fixture.section,
        room_fixture.section,
        journal_fixture.section,
        dial.section,
    ),
    api=OAAPI,
    admin=tuple(admin.admin.actions),
    generators=(checkin_fixture.generated_rules,),
)
