namespace MilkCheck.Cli;

/// <summary>
/// Upstream's interactive mode (spec §5.4.6): while a run goes on an interactive terminal, every line typed (Enter)
/// prints the actions in progress. A thread of its own waits on the terminal (this is the command's own process,
/// and a terminal read has no asynchronous form that can be given up); it is a background thread, so the process
/// ends with the run whatever it waits for, and nothing is printed once the run is over.
/// </summary>
internal sealed class InteractiveStatus : IDisposable
{
    private readonly TextReader _input;
    private readonly Action _show;
    private volatile bool _over;

    private InteractiveStatus(TextReader input, Action show)
    {
        _input = input;
        _show = show;
    }

    public static InteractiveStatus Start(TextReader input, Action show)
    {
        var status = new InteractiveStatus(input, show);
        new Thread(status.Listen) { IsBackground = true, Name = "milkcheck interactive status" }.Start();
        return status;
    }

    private void Listen()
    {
        try
        {
            while (!_over && _input.ReadLine() is not null)
            {
                if (!_over)
                    _show();
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The terminal went away: there is nobody to answer.
        }
    }

    public void Dispose() => _over = true;
}
