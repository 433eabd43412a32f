"""Credential shapes, chosen from public secret scanners' catalogues and matched in one pass."""

from __future__ import annotations

import functools
import re

# Placed after a token's first character: the character before that one is not part of a token,
# so that a shape is not found inside a longer word or a base64 blob. (In front, a look-behind
# would cost every alternative a call at every position; a leading literal or class lets the
# regex engine pass over an alternative with one comparison.)
_ALONE = r"(?<![\w-].)"
_END = r"(?![\w-])"
# Words whose `word=value` / `word: value` in free text is an inlined credential.
_ASSIGNED = (
    r"pass(?:word|wd|phrase)?|pwd|(?:client[-_]?)?secret|(?:(?:auth|access|refresh)[-_]?)?token|"
    r"(?:api|access|secret[-_]?(?:access[-_]?)?|private|routing|integration)[-_]?key"
)
# Query parameters that carry a credential in a URL (OAuth, API keys, signed URLs).
_QUERY = (
    r"(?:access_|auth_|private_)?token|api_?key|key|sig(?:nature)?|(?:client_)?secret|"
    r"passw(?:or)?d|routing_key|x-(?:amz|goog)-signature"
)

# (name, what it is, pattern): shapes that are high-confidence on their own, without a variable
# name to go by, mostly by a provider's fixed prefix. Patterns are matched with re.ASCII and hold
# no capturing group; their order is the order of preference when two match at one place.
SHAPES: tuple[tuple[str, str, str], ...] = (
    # Keys.
    ("private_key", "a private key", r"-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----"),
    ("age_key", "an age secret key", r"AGE-SECRET-KEY-1[0-9A-Z]{58}"),
    # Web addresses that are themselves the credential, or carry one.
    ("url_password", "a password in a URL", r"://[^/\s:@]+:(?!\$[({])[^/\s@]+@"),
    ("url_query_token", "a credential in a URL's query", rf"[?&;](?i:{_QUERY})=(?!\$)[\w%.~+/=-]{{8,}}"),
    (
        "slack_webhook",
        "a Slack webhook URL",
        r"hooks\.slack\.com/(?:services|workflows|triggers)/[\w/+-]{16,}",
    ),
    (
        "discord_webhook",
        "a Discord webhook URL",
        r"discord(?:app)?\.com/api/(?:v[0-9]+/)?webhooks/[0-9]{5,}/[\w-]{20,}",
    ),
    ("teams_webhook", "a Microsoft Teams webhook URL", r"\.webhook\.office\.com/webhookb2/[\w@/-]{20,}"),
    (
        "pagerduty_url",
        "a PagerDuty integration URL",
        r"events\.(?:eu\.)?pagerduty\.com/(?:integration|x-ere)/\w{20,}",
    ),
    (
        "auth_header",
        "an Authorization header",
        r"[Aa]uthorization\s*[:=]\s*(?i:bearer|basic|token)\s+(?!\$)[\w.~+/=-]{8,}",
    ),
    # Cloud providers.
    ("aws_key", "an AWS access key", rf"A{_ALONE}(?:3T[A-Z0-9]|KIA|SIA|BIA|CCA)[A-Z0-9]{{16}}{_END}"),
    ("gcp_api_key", "a Google API key", rf"A{_ALONE}Iza[\w-]{{35}}{_END}"),
    ("azure_key", "an Azure storage or Service Bus key", r"(?:Account|SharedAccess)Key=[\w+/]{40,86}={0,2}"),
    ("digitalocean_token", "a DigitalOcean token", rf"d{_ALONE}o[opr]_v1_[0-9a-f]{{64}}{_END}"),
    ("vault_token", "a Vault token", rf"h{_ALONE}v[sb]\.[\w-]{{90,}}"),
    # Source hosting and package registries.
    ("github_token", "a GitHub token", rf"g{_ALONE}(?:h[pousr]_[A-Za-z0-9]{{36,}}|ithub_pat_\w{{80,}})"),
    (
        "gitlab_token",
        "a GitLab token",
        rf"g{_ALONE}l(?:pat|dt|ft|soat|rt|ptt|cbt|imt|agent|oas)-[\w.-]{{20,}}|GR1348941[\w-]{{20,}}",
    ),
    ("npm_token", "an npm token", rf"n{_ALONE}pm_[A-Za-z0-9]{{36}}{_END}|:_authToken=(?!\$)\S{{8,}}"),
    ("pypi_token", "a PyPI token", r"pypi-AgE[\w-]{50,}"),
    ("docker_token", "a Docker Hub token", r"dckr_pat_[\w-]{27,}"),
    # Chat.
    ("slack_token", "a Slack token", rf"x{_ALONE}(?:ox[abeoprs]|app-[0-9])-[A-Za-z0-9-]{{10,}}"),
    ("telegram_token", "a Telegram bot token", rf"[0-9]{_ALONE}[0-9]{{7,9}}:[\w-]{{35}}{_END}"),
    (
        "discord_token",
        "a Discord bot token",
        rf"[MNO]{_ALONE}[\w-]{{23,25}}\.[\w-]{{6}}\.[\w-]{{27,38}}{_END}",
    ),
    # Payment.
    (
        "stripe_key",
        "a Stripe secret key",
        rf"[rs]{_ALONE}k_(?:live|test|prod)_[A-Za-z0-9]{{10,}}|whsec_[\w+/=]{{24,}}",
    ),
    ("square_token", "a Square token", rf"sq0(?:atp|csp)-[\w-]{{22,}}|E{_ALONE}AAA[\w-]{{60}}{_END}"),
    # Mail, messaging and observability services.
    ("sendgrid_key", "a SendGrid API key", r"SG\.[\w-]{22}\.[\w-]{43}"),
    ("twilio_key", "a Twilio API key", rf"S{_ALONE}K[0-9a-f]{{32}}{_END}"),
    (
        "grafana_token",
        "a Grafana token",
        r"glsa_[A-Za-z0-9]{32}_[0-9a-fA-F]{8}|glc_[\w+/]{32,}|eyJrIjoi\w{70,}",
    ),
    # Machine-learning services.
    ("openai_key", "an OpenAI API key", r"sk-[\w-]{20,}T3BlbkFJ[\w-]{20,}"),
    ("anthropic_key", "an Anthropic API key", r"sk-ant-(?:api|admin)[0-9]{2}-[\w-]{80,}"),
    ("huggingface_token", "a Hugging Face token", rf"h{_ALONE}f_[A-Za-z]{{34}}{_END}"),
    # Formats that sign or carry claims.
    (
        "jwt",
        "a JSON Web Token",
        rf"e{_ALONE}yJ[\w-]{{10,}}\.(?:eyJ[\w-]{{10,}}\.|[\w-]{{10,}}\.[\w-]{{10,}})",
    ),
    (
        "assignment",
        "a credential written as name=value",
        rf"(?<![A-Za-z])(?i:{_ASSIGNED})\s*[:=]\s*(?!\$[({{])[^\s,;]{{4,}}",
    ),
)

CREDENTIAL = re.compile("|".join(pattern for _, _, pattern in SHAPES), re.ASCII)


def credential_kind(text: str) -> str | None:
    """What credential text holds (e.g. 'a Slack webhook URL'), or None."""
    found = CREDENTIAL.search(text)
    if found is None:
        return None
    # Rare (the spec is refused): name the first shape that matches where the search stopped.
    return next(kind for name, kind, _ in SHAPES if _shape(name).match(text, found.start()))


@functools.cache
def _shape(name: str) -> re.Pattern[str]:
    """One shape's pattern on its own."""
    return re.compile(next(p for n, _, p in SHAPES if n == name), re.ASCII)
