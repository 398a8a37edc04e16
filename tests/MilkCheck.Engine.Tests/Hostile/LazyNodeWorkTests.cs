using MilkCheck.Engine.Tests.Scheduling;
using MilkCheck.Scheduling;
using Xunit;

namespace MilkCheck.Engine.Tests.Hostile;

/// <summary>A target of 100,000 nodes costs what the fanout runs, not a waiting task per node.</summary>
[Collection(MemoryMeasuredCollection.Name)]
public sealed class LazyNodeWorkTests
{
    [Fact]
    public async Task Node_commands_are_created_as_the_fanout_admits_them_not_all_up_front()
    {
        using var run = new RunHarness("services:\n  s: { target: 'n[1-100000]', fanout: 2, actions: { start: { cmd: go, mode: exec } } }\n");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var fanoutFull = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        run.Local.Gate = async (node, command, token) =>
        {
            if (run.Local.InFlight == 2)
                fanoutFull.TrySetResult();
            await release.Task.WaitAsync(token);
        };
        RunPlan plan = run.Plan("start");
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var engine = new RunEngine(plan, run.Local, run.Remote, run.Observer);
        Task<IReadOnlyList<ActionResult>> running = engine.RunAsync();
        await fanoutFull.Task;
        long whileBlocked = GC.GetTotalMemory(forceFullCollection: true) - before;
        Assert.Equal(2, run.Local.Calls.Count);
        release.SetResult();
        IReadOnlyList<ActionResult> results = await running;
        Assert.Equal(100_000, Assert.Single(results).Nodes.Count);
        // A task, a state machine and a limiter waiter per node (the former way) held > 30 MB here.
        Assert.True(whileBlocked < 8 << 20, $"{whileBlocked / 1024 / 1024} MiB held while 2 of 100,000 commands run");
    }
}
