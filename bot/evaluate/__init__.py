"""`ostbot eval`: score the bot on a labelled request set (tests/data/requests.yaml).

cases   the file's schema, loading it with line numbers, and checking every name in it
names   every name the catalog has for a drama, an artist or a song
checks  does one reply meet one turn's expectations
run     seed a temporary database, play every case through Service.handle, report
"""
