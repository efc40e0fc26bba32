import Foundation

/// Writes a line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
}

/// Writes a line to standard output without buffering, so a supervising process sees it at once.
func printNow(_ message: String) {
    FileHandle.standardOutput.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
}
