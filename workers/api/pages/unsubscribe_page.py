"""The unsubscribe page (confirm, done, invalid, unavailable): a jinja2 source rendered with autoescape.

Kept as a Python string so it ships in the Worker bundle like any module (pywrangler uploads Python modules;
a loose .html file beside them would need a wrangler `rules` entry and is easy to lose).
"""

TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>{{ title }}</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f6f7f9; color: #1d2330;
         margin: 0; padding: 3rem 1rem; }
  main { max-width: 28rem; margin: 0 auto; background: #fff; border-radius: 8px; padding: 2rem;
         box-shadow: 0 1px 3px rgba(0, 0, 0, .08); }
  h1 { font-size: 1.35rem; margin: 0 0 1rem; }
  p { line-height: 1.5; margin: 0 0 1rem; }
  button { font: inherit; background: #1d4ed8; color: #fff; border: 0; border-radius: 6px; padding: .7rem 1.2rem;
           cursor: pointer; }
  button:focus { outline: 3px solid #93c5fd; outline-offset: 2px; }
  .muted { color: #5b6473; font-size: .9rem; }
</style>
</head>
<body>
<main>
{% if state == "confirm" %}
  <h1>Unsubscribe?</h1>
  <p>You will receive no more emails from us at <strong>{{ masked }}</strong>.</p>
  <form method="post" action="{{ action }}">
    <input type="hidden" name="confirm" value="yes">
    <button type="submit">Unsubscribe</button>
  </form>
{% elif state == "done" %}
  <h1>You are unsubscribed</h1>
  <p>We will not email <strong>{{ masked }}</strong> again.</p>
  {% if already %}<p class="muted">Your earlier request had already been recorded.</p>{% endif %}
{% elif state == "unavailable" %}
  <h1>This link cannot be checked right now</h1>
  <p>Please try again later, or reply to the email and ask us to stop writing to you.</p>
{% else %}
  <h1>This link is not valid</h1>
  <p>It may have been cut short or changed. To stop our emails, use the link in the email itself, or reply to it and
     ask us to stop writing to you.</p>
{% endif %}
</main>
</body>
</html>
"""
