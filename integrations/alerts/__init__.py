"""Alerts: durable rules and firings, the monitor that feeds the engine, and delivery."""
