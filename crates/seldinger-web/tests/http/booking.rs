//! Bookings, calendars and the day's lists, through HTTP.
