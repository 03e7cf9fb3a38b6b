"""Reading inbound mail: a tolerant parse, then delivery reports, complaints, auto-replies and human replies. Pure."""
