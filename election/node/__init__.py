"""What a running node needs beside the rules: failure detection, the failover state machine and the signing guard."""
