"""The scheduler's digest jobs: plan every 15 minutes, send what is due every minute."""
from r2pnet.digests import planner, sender


def plan_digests():
    """Create the delivery rows whose local send time has passed."""
    return planner.plan()


def send_digests():
    """Send the planned digests that are due (each exactly once)."""
    return sender.send_due()
