@_exported import RhetorText
@_exported import RhetorScoring
@_exported import RhetorQuotes
@_exported import RhetorTimeline
