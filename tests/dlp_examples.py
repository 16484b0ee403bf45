"""The examples of issue #13 shared by the DLP-policy tests of the engine, the server and both guards.

Under the built-in ``default`` profile: a user's own contact details in a prompt are masked (shown here with the
``type`` strategy) and allowed; cards, secrets and national ids in a prompt block; personal data in a response
blocks.
"""

from __future__ import annotations

ISSUE_PROMPT = "My order #A-558213 arrived broken, reach me at jane.doe@example.com or +1 415-555-0132"
#: (prompt, the prompt masked with the ``type`` strategy)
MASKED_PROMPTS = [
    (ISSUE_PROMPT, "My order #A-558213 arrived broken, reach me at <EMAIL_ADDRESS> or <PHONE_NUMBER>"),
    ("My email is bob@corp.com", "My email is <EMAIL_ADDRESS>"),
    ("Call me at (415) 555-0132", "Call me at <PHONE_NUMBER>"),
    ("VPN gateway at 10.12.4.7", "VPN gateway at <IP_ADDRESS>"),
]
CARD = "4111-1111-1111-1111"
AWS_KEY_ID = "AKIA2OGYBAH6STMMNXNN"
AWS_SECRET = "aws_secret_access_key=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"
SSN = "536-90-4399"
BLOCKED_PROMPTS = [f"Charge my card {CARD}", f"Our config: {AWS_SECRET}", f"My SSN is {SSN}"]
RESPONSE_LEAKS = ["Bob's email is bob@corp.com", "Reach Bob at (415) 555-0132"]
