namespace MilkCheck.Cli;

/// <summary>Upstream's log levels, in Python's order.</summary>
internal enum LogLevel
{
    Debug,
    Info,
    Warning,
    Error,
    Critical,
}

/// <summary>
/// Upstream's logging on stderr (spec §5.4.8): <c>[HH:MM:SS] LEVEL    - message</c>, and only the levels the
/// verbosity shows (spec §5.3): 0 CRITICAL, 1 ERROR, 2 WARNING, 3 INFO, 4 and more DEBUG.
/// </summary>
internal sealed class Log
{
    private readonly TextWriter _error;
    private readonly Func<DateTime> _now;
    private readonly object _lock;

    public Log(TextWriter error, Func<DateTime> now, object outputLock)
    {
        _error = error;
        _now = now;
        _lock = outputLock;
    }

    /// <summary>Set once the options are read; before that the default verbosity (1) applies.</summary>
    public int Verbosity { get; set; } = 1;

    public bool Shows(LogLevel level) => level switch
    {
        LogLevel.Critical => true,
        LogLevel.Error => Verbosity >= 1,
        LogLevel.Warning => Verbosity >= 2,
        LogLevel.Info => Verbosity >= 3,
        LogLevel.Debug => Verbosity >= 4,
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "Unknown log level."),
    };

    public void Write(LogLevel level, string message)
    {
        if (!Shows(level))
            return;
        string name = level switch
        {
            LogLevel.Debug => "DEBUG",
            LogLevel.Info => "INFO",
            LogLevel.Warning => "WARNING",
            LogLevel.Error => "ERROR",
            LogLevel.Critical => "CRITICAL",
            _ => throw new ArgumentOutOfRangeException(nameof(level), level, "Unknown log level."),
        };
        lock (_lock)
        {
            _error.Write($"[{_now():HH:mm:ss}] {name,-8} - {message}\n");
            _error.Flush();
        }
    }

    public void Error(string message) => Write(LogLevel.Error, message);
}
