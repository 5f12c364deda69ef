"""What hemokg shows in a browser: pictures drawn from the graph (Graphviz), the static site, and ``serve`` (the site
plus a read-only SPARQL 1.1 Protocol endpoint on 127.0.0.1).

May import every layer below it (the facade included); only ``hemokg.cli`` imports it.
"""
