using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace MilkCheck.Tests;

/// <summary>An in-process runspace with the module imported from its manifest (psd1 and format file included).</summary>
internal sealed class PowerShellHost : IDisposable
{
    private readonly Runspace _runspace;

    public PowerShellHost()
    {
        InitialSessionState state = InitialSessionState.CreateDefault2();
        string manifest = Path.Combine(Path.GetDirectoryName(typeof(MilkCheckCmdletBase).Assembly.Location)!, "MilkCheck.psd1");
        state.ImportPSModule(new[] { manifest });
        _runspace = RunspaceFactory.CreateRunspace(state);
        _runspace.Open();
    }

    /// <summary>Runs a script; returns output objects and the error records written, a terminating one last.</summary>
    public (IReadOnlyList<PSObject> Output, IReadOnlyList<ErrorRecord> Errors) Run(string script)
    {
        RunStreams streams = RunWithStreams(script);
        return (streams.Output, streams.Errors);
    }

    /// <summary>Runs a script and keeps every stream: output, errors (a terminating one last), warnings, information.</summary>
    public RunStreams RunWithStreams(string script)
    {
        using PowerShell shell = PowerShell.Create();
        shell.Runspace = _runspace;
        shell.AddScript(script);
        var output = new PSDataCollection<PSObject>();
        var errors = new List<ErrorRecord>();
        try
        {
            shell.Invoke(null, output);
        }
        catch (RuntimeException e)
        {
            errors.Add(e.ErrorRecord);
        }
        errors.InsertRange(0, shell.Streams.Error);
        return new RunStreams(output.ToList(), errors, shell.Streams.Warning.Select(w => w.Message).ToList(),
            shell.Streams.Information.ToList())
        {
            Verbose = shell.Streams.Verbose.Select(v => v.Message).ToList(),
            Progress = shell.Streams.Progress.ToList(),
        };
    }

    /// <summary>
    /// Starts a script, stops it (Ctrl+C) once <paramref name="when"/> holds, and waits for it to end (60 s at most).
    /// Returns the exception the invocation ended with (PipelineStoppedException when it stopped).
    /// </summary>
    public Exception? StopWhen(string script, Func<bool> when)
    {
        using PowerShell shell = PowerShell.Create();
        shell.Runspace = _runspace;
        shell.AddScript(script);
        IAsyncResult running = shell.BeginInvoke();
        if (!SpinWait.SpinUntil(() => when() || running.IsCompleted, TimeSpan.FromSeconds(30)))
            throw new TimeoutException("The condition to stop on never held.");
        shell.Stop();
        if (!running.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(60)))
            throw new TimeoutException("The stopped script did not end within 60 s.");
        try
        {
            shell.EndInvoke(running);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    public void Dispose() => _runspace.Dispose();
}

internal sealed record RunStreams(
    IReadOnlyList<PSObject> Output, IReadOnlyList<ErrorRecord> Errors, IReadOnlyList<string> Warnings, IReadOnlyList<InformationRecord> Information)
{
    public IReadOnlyList<string> Verbose { get; init; } = Array.Empty<string>();

    public IReadOnlyList<ProgressRecord> Progress { get; init; } = Array.Empty<ProgressRecord>();

    public IReadOnlyList<ActionResult> Results => Output.Select(o => o.BaseObject).OfType<ActionResult>().ToList();
}
