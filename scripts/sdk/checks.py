"""The pass/fail tally the SDK smoke scripts share: one line per check, a summary at the end."""


class Checks:
    """Counts checks and prints each as 'ok   NAME' or 'FAIL NAME DETAIL'."""

    def __init__(self, label):
        self.label = label
        self.passed = 0
        self.failed = 0

    def check(self, name, condition, detail=""):
        if condition:
            self.passed += 1
            print(f"ok   {name}")
        else:
            self.failed += 1
            print(f"FAIL {name} {detail}")

    def finish(self):
        """Prints 'LABEL: N passed, M failed' and returns the exit status (1 if any failed)."""
        print(f"{self.label}: {self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0
