# The module's packages load in a context of their own (deps/, DependencyLoadContext): a session that loaded another
# YamlDotNet first (as powershell-yaml does) runs MilkCheck, and one that imported MilkCheck first can load and use
# another YamlDotNet. Each case runs in a fresh pwsh, since an assembly, once loaded, stays for the process's life.
BeforeAll {
    $script:module = (Resolve-Path (Join-Path $PSScriptRoot '../../out/MilkCheck/MilkCheck.psd1')).Path
    $script:demo = (Resolve-Path (Join-Path $PSScriptRoot '../../examples/demo')).Path
    $tools = Join-Path $PSScriptRoot '../../out/tools'
    $script:yaml16 = Join-Path $tools 'yamldotnet/16.3.0/lib/net8.0/YamlDotNet.dll'
    if (-not (Test-Path $yaml16)) {
        & dotnet restore (Join-Path $PSScriptRoot 'PesterRestore/PesterRestore.csproj') --packages $tools --nologo -v quiet | Out-Null
    }
    # Runs $Script in a fresh pwsh; returns its output lines (errors included, as text).
    function script:Invoke-Fresh([string] $Script) {
        $env:NO_COLOR = '1'
        $output = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command "`$ErrorActionPreference = 'Stop'; $Script" 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        return $output
    }
}

Describe 'Another YamlDotNet in the session' {
    It 'keeps the packages out of the module folder, in deps/' {
        $root = Split-Path $module
        Get-ChildItem $root -Filter *.dll | ForEach-Object Name | Sort-Object | Should -Be @('MilkCheck.dll', 'MilkCheck.Engine.dll')
        # Under names of their own: no copy the session loads can stand in for them, whatever its version.
        Join-Path $root 'deps/MilkCheck.Private.YamlDotNet.dll' | Should -Exist
        Join-Path $root 'deps/MilkCheck.Private.Renci.SshNet.dll' | Should -Exist
        Join-Path $root 'deps/MilkCheck.Private.BouncyCastle.Cryptography.dll' | Should -Exist
        Get-ChildItem (Join-Path $root 'deps') -Filter *.dll | Where-Object Name -notlike 'MilkCheck.Private.*' | Should -BeNullOrEmpty
    }

    It 'runs MilkCheck in a session that loaded YamlDotNet 16 first' {
        $out = Invoke-Fresh @"
Add-Type -Path '$yaml16'
Import-Module '$module'
'problems=' + @(Test-MilkCheckConfig -Path '$demo').Count
`$r = Invoke-MilkCheckAction status -Path '$demo' -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
'results=' + @(`$r).Count + ' type=' + `$r[0].GetType().FullName
'services=' + (Get-MilkCheckService -Path '$demo').Count
foreach (`$a in [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -like '*YamlDotNet' }) {
    `$a.GetName().Name + '=' + `$a.GetName().Version.Major + '@' + [Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$a).Name
}
"@
        $out | Should -Contain 'problems=0'
        $out | Should -Contain 'results=7 type=MilkCheck.ActionResult'
        $out | Should -Contain 'YamlDotNet=16@Default'
        $out | Should -Contain 'MilkCheck.Private.YamlDotNet=18@MilkCheck.Dependencies'
    }

    It 'lets a session that imported MilkCheck first load YamlDotNet 16 and use it' {
        $out = Invoke-Fresh @"
Import-Module '$module'
'before=' + @(Invoke-MilkCheckAction status -Path '$demo' -ErrorAction SilentlyContinue -WarningAction SilentlyContinue).Count
Add-Type -Path '$yaml16'
`$d = [YamlDotNet.Serialization.Deserializer]::new().Deserialize("a: [1, 2]``nb: x")
'parsed=' + (`$d['a'] -join ',') + ';' + `$d['b']
'version=' + [YamlDotNet.Serialization.Deserializer].Assembly.GetName().Version.Major
'after=' + @(Invoke-MilkCheckAction status -Path '$demo' -ErrorAction SilentlyContinue -WarningAction SilentlyContinue).Count
'problems=' + @(Test-MilkCheckConfig -Path '$demo').Count
"@
        $out | Should -Contain 'before=7'
        $out | Should -Contain 'parsed=1,2;x'
        $out | Should -Contain 'version=16'
        $out | Should -Contain 'after=7'
        $out | Should -Contain 'problems=0'
    }
}
