"""Mail transport adapters behind shared.ports.mail: SMTP, Microsoft Graph, Resend, Cloudflare send_email."""
