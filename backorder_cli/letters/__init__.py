"""What the customer is told, as text: the notice and the statement in plain text,
Markdown and HTML, and the notice as an email (RFC 5322). Pure rendering of the plain
values `services.letters` computes: no database, no Typer, no Rich.

Every piece of text from data goes through the `escape` the caller gives (the CLI gives
its `safe_text`, so nothing from data acts on a terminal), and then through the
format's own escaping (Markdown's backslashes, HTML's entities)."""
