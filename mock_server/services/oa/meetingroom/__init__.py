"""Meeting rooms (会议室): rooms and bookings tied to schedules and meetings."""

from mock_server.services.oa.meetingroom import fixture as fixture
from mock_server.services.oa.meetingroom import handlers as handlers
