"""The control board: a local web console over the operations layer (docs/CONSOLE.md).

``postprod console P.otio`` serves it. :func:`postprod.console.app.create_app`
builds the web application; the modules beside it each do one thing:
``security`` (the token, origins, body limit, headers, confined paths), ``lock``
(one writer per project), ``state`` (the project as data, and its changes),
``payloads`` (request bodies read strictly), ``hub`` (the WebSockets),
``jobs`` (deliveries in threads), ``playback`` (meters and touch automation while
previewing), ``engines`` (adapters to the preview, waveform, thumbnail and meter
engines). Importing this package loads none of them (the web framework loads with
the app).
"""
