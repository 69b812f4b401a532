"""Runtime: the processes a command runs its work in, their limits, and what is kept between runs.

It knows nothing of deals, templates or PDFs: the stages above hand it functions
to run. A ``build`` or ``pack`` with two workers is five processes besides the
command (what ``ps --forest`` shows during a pack)::

    proposals pack                the command: loads and prices every deal, writes the files
     |-- engine starter           forked first: imports WeasyPrint while the command loads,
     |    |                       then forks one engine per worker and reaps them
     |    |-- PDF engine 1        lays out the HTML its worker sends (writers/pdf.py)
     |    `-- PDF engine 2
     |-- worker 1                 forked after loading: renders templates and DOCX for task
     |                            after task, sends each PDF's HTML to its engine
     `-- worker 2

- ``workers``: forked workers that take task after task, each step under a time
  limit (a worker past it is killed with its engine and replaced); results,
  expected problems (``ProposalsError``) and crashes come back through a pipe.
- ``engines``: processes that import a heavy library first and then answer
  requests; a worker whose engine is gone does the work itself.
- ``processes``: what every child sets up: it dies with its parent, stays under
  the memory limit (``--memory-limit``), collects its garbage between tasks.
- ``deepstack``: the work runs on one large interpreter stack chunk, so
  WeasyPrint's deep layout recursion does not map and unmap chunks as it goes.
- ``cache``: results kept between runs in a private per-user folder
  (compiled templates, ``check``'s findings), keyed by what made them.

A single build without a time limit (the API's ``build(..., time_limit=None)``)
runs everything in the calling process, on the deep stack.
"""
