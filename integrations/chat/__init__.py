"""Channel-neutral chat layer: accounts and roles, the audit log, rate limits and ``respond``.

The web app (``integrations.web``), the Slack app (``integrations.slack_app``) and the Discord bot
(``integrations.discord_bot``) all answer through ``ChatService.respond`` and only render.
"""
