@_exported import RhetorText
@_exported import RhetorScoring
