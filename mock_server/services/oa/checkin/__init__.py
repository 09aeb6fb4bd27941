"""Check-in (打卡): rules, punches, records and reports."""

from mock_server.services.oa.checkin import fixture as fixture
from mock_server.services.oa.checkin import handlers as handlers
