using MilkCheck.Configuration;
using MilkCheck.Scheduling;
using Xunit;

namespace MilkCheck.Engine.Tests.Scheduling;

/// <summary>A front end's observer that throws is a bug in that front end: the run must end and say so, never hang.</summary>
public sealed class ObserverFailureTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private sealed class Throwing : IRunObserver
    {
        public string Where { get; init; } = "";
        public void ActionStarted(string service, string action, string target, int nodes) { if (Where == "started") throw new IOException("broken pipe"); }
        public void NodeCompleted(NodeResult result) { if (Where == "node") throw new IOException("broken pipe"); }
        public void ActionCompleted(ActionResult result) { if (Where == "completed") throw new IOException("broken pipe"); }
        public void Warning(string errorId, string message) { }
    }

    [Theory]
    [InlineData("started")]
    [InlineData("node")]
    [InlineData("completed")]
    public async Task An_observer_that_throws_ends_the_run_with_an_internal_error(string where)
    {
        string conf = _dir.CreateDirectory("conf");
        File.WriteAllText(Path.Combine(conf, "services.yaml"), """
            services:
              a: { actions: { start: { cmd: "true" } } }
              b: { require: [ a ], target: "n[1-3]", actions: { start: { cmd: "true", mode: exec } } }
            """);
        var configuration = MilkCheckConfiguration.Load(conf, global: new GlobalConfiguration { Journal = false });
        MilkCheckRun run = MilkCheckRun.Create(configuration, new RunOptions { Action = "start" });
        run.AddObserver(new Throwing { Where = where });
        Exception error = await Assert.ThrowsAnyAsync<Exception>(() => run.RunAsync().WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.IsNotType<TimeoutException>(error);
        Assert.Contains("internal error of MilkCheck: broken pipe", error.Message);
    }
}
