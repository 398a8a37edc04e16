using System.Diagnostics;

namespace MilkCheck.Variables;

/// <summary><c>%(command)</c> through <c>/bin/sh -c</c> on this machine: stdout as written, stderr dropped.</summary>
internal sealed class ShellCommandSubstitution : ICommandSubstitution
{
    public (string Output, int ExitCode) Run(string command, CancellationToken cancellationToken)
    {
        using var process = Process.Start(Execution.Shell.StartInfo(command))
            ?? throw new InvalidOperationException($"Cannot start /bin/sh for '{command}'.");
        process.StandardInput.Close();
        Task<string> output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        Task<string> error = process.StandardError.ReadToEndAsync(cancellationToken); // drained so the child never blocks
        try
        {
            // Called while loading a configuration, from one thread: waiting here parks that thread only.
            process.WaitForExitAsync(cancellationToken).GetAwaiter().GetResult();
            Task.WaitAll(new Task[] { output, error }, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (output.Result, process.ExitCode);
    }
}

/// <summary>
/// Runs nothing: <c>%(command)</c> stays as written (a preview, -WhatIf, must have no side effect; the text shows
/// what would run).
/// </summary>
internal sealed class UnexpandedCommandSubstitution : ICommandSubstitution
{
    public (string Output, int ExitCode) Run(string command, CancellationToken cancellationToken) => ($"%({command})", 0);
}
