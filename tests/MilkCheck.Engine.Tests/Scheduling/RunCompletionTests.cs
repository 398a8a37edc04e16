using MilkCheck.Scheduling;
using Xunit;
namespace MilkCheck.Engine.Tests.Scheduling;
/// <summary>Guards a race once seen: an action finishing inline while its siblings were still being launched ended the run early.</summary>
public sealed class RunCompletionTests
{
    [Fact]
    public void A_run_never_ends_before_every_launched_action_is_final()
    {
        for (int i = 0; i < 100; i++)
        {
            using var run = new RunHarness("""
                services:
                  D: { require: [ B ], actions: { stop: { cmd: fail } } }
                  B: { actions: { stop: { cmd: stop-B } } }
                  W: { after: [ C ], actions: { stop: { cmd: fail } } }
                  C: { actions: { stop: { cmd: stop-C } } }
                """);
            var results = run.Run("stop");
            Assert.True(results.Count == 4, $"iteration {i}: {string.Join(",", results.Select(r => r.Service + "=" + r.Status))} calls {string.Join(",", run.LocalCalls)} events {string.Join(" | ", run.Observer.Events)}");
        }
    }
}
