"""Notification channels: what each person wants, the units' group robots, deliveries as jobs."""
