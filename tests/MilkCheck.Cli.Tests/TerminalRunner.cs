using System.Diagnostics;
using System.Text;

namespace MilkCheck.Cli.Tests;

/// <summary>
/// Runs the built command on a real terminal: <c>script</c> (util-linux) gives it a new pseudo-terminal as
/// stdin, stdout, stderr and controlling terminal, of the width asked. What the terminal shows comes back as one
/// stream (stdout and stderr in the order written), with the terminal's \r\n turned back into \n.
/// </summary>
public sealed class TerminalRunner : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _screen = new();
    private readonly SemaphoreSlim _changed = new(0);
    private readonly Task _reading;

    public TerminalRunner(CommandRunner cli, int columns, params string[] args)
    {
        string command = string.Join(' ', new[] { CommandRunner.CommandPath }.Concat(args).Select(Quote));
        var info = new ProcessStartInfo("script")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = cli.Directory,
        };
        foreach (string arg in new[] { "-qec", $"stty cols {columns} rows 40; exec {command}", "/dev/null" })
            info.ArgumentList.Add(arg);
        info.Environment.Remove("COLUMNS");
        info.Environment["MILKCHECK_CONF"] = cli.GlobalConfigurationPath;
        _process = Process.Start(info)!;
        _reading = Task.Run(ReadAsync);
    }

    private static string Quote(string arg) => "'" + arg.Replace("'", "'\\''") + "'";

    private async Task ReadAsync()
    {
        var buffer = new char[4096];
        int read;
        while ((read = await _process.StandardOutput.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            lock (_screen)
                _screen.Append(buffer, 0, read);
            _changed.Release();
        }
        _changed.Release();
    }

    /// <summary>What the terminal received so far.</summary>
    public string Screen
    {
        get
        {
            lock (_screen)
                return _screen.ToString().Replace("\r\n", "\n");
        }
    }

    /// <summary>Waits until the terminal shows <paramref name="text"/> (fails after 30 s rather than hang).</summary>
    public void WaitFor(string text)
    {
        var deadline = Stopwatch.StartNew();
        while (!Screen.Contains(text, StringComparison.Ordinal))
        {
            if (_reading.IsCompleted || !_changed.Wait(TimeSpan.FromSeconds(30) - deadline.Elapsed))
                throw new Xunit.Sdk.XunitException($"The terminal never showed '{text}'. It showed:\n{Screen}");
        }
    }

    /// <summary>Types a line on the terminal.</summary>
    public void Type(string line) => Press(line + "\n");

    /// <summary>Types keys on the terminal, Enter not included (Ctrl-C is "\u0003").</summary>
    public void Press(string keys)
    {
        _process.StandardInput.Write(keys);
        _process.StandardInput.Flush();
    }

    /// <summary>Waits for the command to end; returns its exit code.</summary>
    public int Wait()
    {
        if (!_process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException("The command did not end within 60 s.");
        }
        _reading.Wait(TimeSpan.FromSeconds(10));
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
