using System.Diagnostics;

namespace MilkCheck.Execution;

/// <summary>
/// Runs commands on this machine through <c>/bin/sh -c</c> (local and delegate actions; exec mode per node).
/// stdout and stderr go to one buffer in arrival order, read in chunks and capped (memory stays bounded whatever the
/// command prints); a timeout or a cancellation kills the whole process tree. OpenSSH and exec mode run through here.
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
    /// <param name="keepInputOpen">Leave stdin open (never written) until the process ends: ssh forwards its end of
    /// file to the remote command, whose watcher must only see one when the channel closes.</param>
    internal static async Task<NodeOutcome> RunProcessAsync(ProcessStartInfo start, TimeSpan? timeout, int outputLimit, CancellationToken cancellationToken,
        bool keepInputOpen = false)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var watch = Stopwatch.StartNew();
        if (timeout is { } limit && limit <= TimeSpan.Zero)
            return new NodeOutcome(NodeStatus.Timeout, null, string.Empty, watch.Elapsed, "timed out (timeout: 0)");

        var buffer = new OutputBuffer(outputLimit);
        using var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new NodeOutcome(NodeStatus.Failed, null, string.Empty, watch.Elapsed, $"cannot start {start.FileName}: {e.Message}");
        }
        if (!keepInputOpen)
            process.StandardInput.Close();
        // Both streams feed one buffer in arrival order, as upstream merges stderr into stdout. They are read as
        // bytes in chunks, never as lines, so an endless line cannot grow memory past the cap.
        using var reading = new CancellationTokenSource();
        Task drained = Task.WhenAll(
            buffer.ReadAsync(process.StandardOutput.BaseStream, reading.Token),
            buffer.ReadAsync(process.StandardError.BaseStream, reading.Token));

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } t)
            timeoutSource.CancelAfter(t);
        try
        {
            await process.WaitForExitAsync(timeoutSource.Token).ConfigureAwait(false);
            // A background child may still hold the pipes: the timeout covers it too, as it did with line reads.
            await drained.WaitAsync(timeoutSource.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            if (keepInputOpen)
                CloseInput(process);
            // A detached grandchild (setsid) may outlive the kill and keep the pipes open: stop reading.
            await reading.CancelAsync().ConfigureAwait(false);
            await DrainedAsync(drained).ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested)
                throw;
            return new NodeOutcome(NodeStatus.Timeout, null, buffer.Text, watch.Elapsed,
                $"timed out after {timeout!.Value.TotalSeconds:0.###} s");
        }
        if (keepInputOpen)
            CloseInput(process);
        int exitCode = process.ExitCode;
        return new NodeOutcome(exitCode == 0 ? NodeStatus.Ok : NodeStatus.Failed, exitCode, buffer.Text, watch.Elapsed,
            null);
    }

    /// <summary>Waits for the readers once they were told to stop; what they read so far is in the buffer.</summary>
    private static async Task DrainedAsync(Task drained)
    {
        try
        {
            await drained.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
        }
    }

    private static void CloseInput(Process process)
    {
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The process is gone and its pipe with it.
        }
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
