"""postfeed: turn a folder of posts into feeds people subscribe to.

The pipeline, one module a stage:

    reader     files on disk -> Post (front matter + body text)
    dates      front-matter date values -> aware UTC datetimes
    fields     title, categories, author, image, link, id
    content    body -> rendered, sanitized HTML and a plain-text summary
    collector  Post -> Article, with every problem reported per file
    feeds      Articles -> RSS 2.0 and Atom 1.0 bytes (the only user of feedgen)
    output     bytes -> files, atomically, only when they changed
    build      the library API that runs the stages: build(config)
    cli        the command line, a thin shell over build
"""

__version__ = "0.1.0"
