using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using MilkCheck.Execution;

namespace MilkCheck;

/// <summary>
/// The SSH connections each PowerShell session (runspace) keeps between its runs: one <see cref="ConnectionPool"/>
/// per runspace, created on its first run, disposed on Remove-Module (in that runspace), when the runspace closes,
/// and when the process exits. The table is keyed by the runspace object and never hands one runspace's pool to
/// another (thread jobs and ForEach-Object -Parallel each have their own), and it does not keep a runspace alive.
/// </summary>
internal static class SessionConnections
{
    // Not a cache shared between sessions: the key is the session itself (the design's rule against static state is
    // about state two runspaces would share). ConditionalWeakTable is thread-safe and lets a dropped runspace go.
    private static readonly ConditionalWeakTable<Runspace, ConnectionPool> Pools = new();

    /// <summary>The pool of <paramref name="runspace"/>, created on first use.</summary>
    public static ConnectionPool For(Runspace runspace) => Pools.GetValue(runspace, Create);

    /// <summary>The pool of <paramref name="runspace"/> if it has one (listing and disconnecting never create one).</summary>
    public static ConnectionPool? Existing(Runspace? runspace) =>
        runspace is not null && Pools.TryGetValue(runspace, out ConnectionPool? pool) ? pool : null;

    /// <summary>Closes and forgets the pool of <paramref name="runspace"/> (Remove-Module, runspace closed).</summary>
    public static void Close(Runspace? runspace)
    {
        if (runspace is null || !Pools.TryGetValue(runspace, out ConnectionPool? pool))
            return;
        Pools.Remove(runspace);
        pool.Dispose();
    }

    private static ConnectionPool Create(Runspace runspace)
    {
        var pool = new ConnectionPool();
        EventHandler onExit = (_, _) => pool.Dispose();
        EventHandler<RunspaceStateEventArgs>? onState = null;
        onState = (_, e) =>
        {
            if (e.RunspaceStateInfo.State is RunspaceState.Closed or RunspaceState.Broken)
            {
                runspace.StateChanged -= onState;
                Close(runspace);
            }
        };
        runspace.StateChanged += onState;
        // The process exiting (pwsh -c, a cron job): polite SSH disconnects and OpenSSH masters told to exit.
        AppDomain.CurrentDomain.ProcessExit += onExit;
        pool.Disposed += () =>
        {
            AppDomain.CurrentDomain.ProcessExit -= onExit;
            runspace.StateChanged -= onState;
        };
        return pool;
    }
}

/// <summary>Remove-Module MilkCheck: the runspace removing it closes its kept connections.</summary>
public sealed class ModuleCleanup : IModuleAssemblyCleanup
{
    public void OnRemove(PSModuleInfo psModuleInfo) => SessionConnections.Close(Runspace.DefaultRunspace);
}
