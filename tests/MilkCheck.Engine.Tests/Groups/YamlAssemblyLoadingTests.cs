using System.Reflection;
using System.Runtime.Loader;
using MilkCheck.NodeSets;
using Xunit;

namespace MilkCheck.Engine.Tests.Groups;

/// <summary>
/// Start-up cost: YamlDotNet must load only when a YAML group file is read. The engine is loaded afresh into a
/// private load context that records which dependencies it asks for, since the test process itself has long
/// loaded YamlDotNet for other tests.
/// </summary>
public sealed class YamlAssemblyLoadingTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void UpcallOnlyConfiguration_DoesNotLoadYamlDotNet()
    {
        _dir.Write("groups.conf", "[Main]\nautodir: $CFGDIR/missing.d\n[s]\nmap: echo n-$GROUP\n");

        IReadOnlyCollection<string> requested = LoadInIsolation(_dir["groups.conf"], out string mapped);

        Assert.Equal("n-g", mapped);
        Assert.DoesNotContain("YamlDotNet", requested);
    }

    [Fact]
    public void AutodirWithYaml_LoadsYamlDotNet()
    {
        _dir.Write("groups.d/c.yaml", "s:\n    g: 'n1'\n");
        _dir.Write("groups.conf", "[Main]\nautodir: $CFGDIR/groups.d\n");

        IReadOnlyCollection<string> requested = LoadInIsolation(_dir["groups.conf"], out string mapped);

        Assert.Equal("n1", mapped);
        Assert.Contains("YamlDotNet", requested);
    }

    private static IReadOnlyCollection<string> LoadInIsolation(string groupsConf, out string mapped)
    {
        var context = new RecordingLoadContext();
        try
        {
            Assembly engine = context.LoadFromAssemblyPath(typeof(GroupResolver).Assembly.Location);
            Type resolverType = engine.GetType(typeof(GroupResolver).FullName!, throwOnError: true)!;
            MethodInfo loadFile = resolverType.GetMethod(nameof(GroupResolver.LoadFile))!;
            object resolver = loadFile.Invoke(null, [groupsConf, null, CancellationToken.None])!;
            object source = resolverType.GetMethod(nameof(GroupResolver.GetSource))!.Invoke(resolver, [null])!;
            Type sourceInterface = engine.GetType(typeof(IGroupSource).FullName!, throwOnError: true)!;
            mapped = (string)sourceInterface.GetMethod(nameof(IGroupSource.Map))!.Invoke(source, ["g", CancellationToken.None])!;
            return context.Requested;
        }
        finally
        {
            context.Unload();
        }
    }

    private sealed class RecordingLoadContext() : AssemblyLoadContext("groups-yaml-probe", isCollectible: true)
    {
        private readonly List<string> _requested = new();

        public IReadOnlyCollection<string> Requested
        {
            get
            {
                lock (_requested)
                {
                    return _requested.ToArray();
                }
            }
        }

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            lock (_requested)
            {
                _requested.Add(assemblyName.Name ?? "");
            }

            return null; // fall back to the default context, which resolves it from the test output
        }
    }
}
