"""QR codes residents scan: the station's service list and a receipt per consultation.

`payloads` decides what a code says; `render` draws it (terminal text, SVG, PNG).
No Textual here: the CLI and the nightly machine use this without the UI.
"""
