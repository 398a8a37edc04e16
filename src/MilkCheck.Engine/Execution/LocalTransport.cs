using System.Diagnostics;
using System.Text;

namespace MilkCheck.Execution;

/// <summary>
/// Runs commands on this machine through <c>/bin/sh -c</c> (local and delegate actions; exec mode per node).
/// stdout and stderr go to one buffer in arrival order, capped; a timeout or a cancellation kills the whole
/// process tree.
/// </summary>
internal sealed class LocalTransport : ITransport
{
    /// <summary>Per-node output kept (1 MiB of text); beyond it the output is cut and the cut is said.</summary>
    public const int DefaultOutputLimit = 1 << 20;

    private readonly int _outputLimit;

    public LocalTransport(int outputLimit = DefaultOutputLimit) => _outputLimit = outputLimit;

    public Task<NodeOutcome> RunAsync(string node, string command, TimeSpan? timeout, CancellationToken cancellationToken) =>
        RunProcessAsync(Shell.StartInfo(command), timeout, _outputLimit, cancellationToken);

    /// <summary>
    /// Runs one prepared process (stdin closed, stdout and stderr merged and capped); a timeout or the token kills
    /// its whole tree. Exit code 0 is Ok, anything else Failed: callers map transport-specific codes.
    /// </summary>
    internal static async Task<NodeOutcome> RunProcessAsync(ProcessStartInfo start, TimeSpan? timeout, int outputLimit, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var watch = Stopwatch.StartNew();
        if (timeout is { } limit && limit <= TimeSpan.Zero)
            return new NodeOutcome(NodeStatus.Timeout, null, string.Empty, watch.Elapsed, "timed out (timeout: 0)");

        var buffer = new OutputBuffer(outputLimit);
        using var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        // Both streams feed one buffer in arrival order, as upstream merges stderr into stdout.
        process.OutputDataReceived += (_, e) => buffer.Add(e.Data);
        process.ErrorDataReceived += (_, e) => buffer.Add(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new NodeOutcome(NodeStatus.Failed, null, string.Empty, watch.Elapsed, $"cannot start {start.FileName}: {e.Message}");
        }
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } t)
            timeoutSource.CancelAfter(t);
        try
        {
            await process.WaitForExitAsync(timeoutSource.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            if (cancellationToken.IsCancellationRequested)
                throw;
            return new NodeOutcome(NodeStatus.Timeout, null, buffer.Text, watch.Elapsed,
                $"timed out after {timeout!.Value.TotalSeconds:0.###} s", buffer.Truncated);
        }
        // WaitForExitAsync returns once the streams are drained too.
        int exitCode = process.ExitCode;
        return new NodeOutcome(exitCode == 0 ? NodeStatus.Ok : NodeStatus.Failed, exitCode, buffer.Text, watch.Elapsed,
            null, buffer.Truncated);
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }
}
