"""The web channel: JSON API, widget script, demo page and staff view, served by `navigator serve`."""
