<#
.SYNOPSIS
  Build the Windows installer of KHIT Desktop: virtual environment, PyInstaller bundle, smoke
  test of the bundle, Inno Setup installer.

.DESCRIPTION
  Run from any folder, in PowerShell 5.1 or 7, on 64-bit Windows 10/11 with
    - Python 3.11 or newer (python.org; the "py" launcher or "python" on PATH),
    - Inno Setup 6.5 or newer (ISCC.exe on PATH or in its usual folder),
    - Internet access for pip (and for Vietnamese.isl unless -VietnameseIsl is given).

  Steps:
    1. build\venv: a fresh virtual environment with KHIT Desktop and PyInstaller (pip install .[build])
    2. PyInstaller with installer\khit.spec -> dist\KHIT Desktop\ (KHIT Desktop.exe, khit.exe, _internal\)
    3. smoke test of that folder: khit.exe makes a demo database and writes the annex PDF, in a
       folder whose name has Vietnamese letters and spaces; the window is opened offscreen if
       app.py has the KHIT_SELFTEST hook
    4. Vietnamese.isl (Inno Setup's unofficial Vietnamese translation), pinned to one commit
    5. ISCC installer\khit.iss -> dist\installer\KHIT-Desktop-<version>-Setup.exe

.EXAMPLE
  powershell -ExecutionPolicy Bypass -File installer\build.ps1
.EXAMPLE
  .\installer\build.ps1 -VietnameseIsl C:\tools\Vietnamese.isl -ExpectVersion 0.1.0
#>
[CmdletBinding()]
param(
    # The Python that makes the virtual environment, e.g. "py -3.11" or a path to python.exe.
    [string]$Python = "",
    # A Vietnamese.isl already on disk (otherwise it is downloaded, see $VietnameseIslUrl).
    [string]$VietnameseIsl = "",
    # Do not download Vietnamese.isl: the wizard is then in English, the script's own texts in Vietnamese.
    [switch]$NoDownload,
    # Fail unless khit_desktop.__version__ is this (the release workflow passes the tag).
    [string]$ExpectVersion = "",
    [switch]$SkipSmokeTest,
    [switch]$SkipInstaller
)

$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest

# Inno Setup's unofficial Vietnamese translation ("Vietnamese translation by memecoder", for
# Inno Setup 6.5.0+), from the Inno Setup source repository, pinned to one commit.
$VietnameseIslUrl = "https://raw.githubusercontent.com/jrsoftware/issrc/09b24879e5be49278ef223dc3d1b07c856369ea2/Files/Languages/Unofficial/Vietnamese.isl"

$Root = (Resolve-Path (Join-Path $PSScriptRoot "..")).Path
$BuildDir = Join-Path $Root "build"
$Venv = Join-Path $BuildDir "venv"
$VenvPython = Join-Path $Venv "Scripts\python.exe"
$Dist = Join-Path $Root "dist"
$Bundle = Join-Path $Dist "KHIT Desktop"

function Step([string]$Text) { Write-Host ""; Write-Host "==> $Text" -ForegroundColor Cyan }

function Invoke-Native {
    # Run a program; stop the build if it fails (PowerShell does not, for native programs).
    param([string]$Exe, [string[]]$Arguments)
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { throw "Lỗi ($LASTEXITCODE): $Exe $($Arguments -join ' ')" }
}

function Find-Python {
    if ($Python) { return ,($Python -split " ") }
    if (Get-Command py -ErrorAction SilentlyContinue) {
        try {
            $null = & py -3.11 -c "import sys" 2>&1
            if ($LASTEXITCODE -eq 0) { return ,@("py", "-3.11") }
        } catch { }  # Windows PowerShell turns the launcher's stderr into an error
        return ,@("py", "-3")
    }
    if (Get-Command python -ErrorAction SilentlyContinue) { return ,@("python") }
    throw "Không tìm thấy Python 3.11+. Cài từ python.org (chọn 'Add python.exe to PATH')."
}

function Find-Iscc {
    $onPath = Get-Command iscc -ErrorAction SilentlyContinue
    if ($onPath) { return $onPath.Source }
    foreach ($base in @(${env:ProgramFiles(x86)}, $env:ProgramFiles, (Join-Path $env:LOCALAPPDATA "Programs"))) {
        if (-not $base) { continue }
        $candidate = Join-Path $base "Inno Setup 6\ISCC.exe"
        if (Test-Path $candidate) { return $candidate }
    }
    throw "Không tìm thấy Inno Setup 6 (ISCC.exe). Cài Inno Setup 6.5 trở lên (ví dụ: choco install innosetup)."
}

Set-Location $Root

# 1. virtual environment --------------------------------------------------------------------
Step "Môi trường ảo build\venv"
$py = Find-Python
$pyExe = $py[0]
$pyArgs = @($py | Select-Object -Skip 1)
if (Test-Path $Venv) { Remove-Item -Recurse -Force $Venv }
Invoke-Native $pyExe ($pyArgs + @("-m", "venv", $Venv))
Invoke-Native $VenvPython @("-m", "pip", "install", "--disable-pip-version-check", "--upgrade", "pip")
Invoke-Native $VenvPython @("-m", "pip", "install", "--disable-pip-version-check", ".[build]")
$Version = (& $VenvPython -c "import khit_desktop; print(khit_desktop.__version__)").Trim()
if ($LASTEXITCODE -ne 0 -or -not $Version) { throw "Không đọc được khit_desktop.__version__." }
Write-Host "KHIT Desktop $Version"
if ($ExpectVersion -and $ExpectVersion -ne $Version) {
    throw "Phiên bản trong mã nguồn là $Version, nhưng bản phát hành là $ExpectVersion."
}

# 2. PyInstaller ----------------------------------------------------------------------------
Step "PyInstaller: installer\khit.spec -> dist\KHIT Desktop"
$started = Get-Date
Invoke-Native $VenvPython @("-m", "PyInstaller", "--noconfirm", "--clean",
    "--distpath", $Dist, "--workpath", (Join-Path $BuildDir "pyinstaller"),
    (Join-Path $Root "installer\khit.spec"))
$size = (Get-ChildItem -Recurse -File $Bundle | Measure-Object -Sum Length).Sum / 1MB
Write-Host ("Xong sau {0:N0} s; thư mục chương trình {1:N0} MB" -f ((Get-Date) - $started).TotalSeconds, $size)

# 3. smoke test -----------------------------------------------------------------------------
if (-not $SkipSmokeTest) {
    Step "Kiểm tra nhanh bản đóng gói"
    $scratch = Join-Path ([IO.Path]::GetTempPath()) ("khit-smoke-" + [guid]::NewGuid().ToString("N"))
    $folder = Join-Path $scratch "Tài liệu của Nguyễn Văn A"
    New-Item -ItemType Directory -Force $folder | Out-Null
    $saved = @{}
    foreach ($name in @("KHIT_DATA_DIR", "QT_QPA_PLATFORM", "KHIT_SELFTEST")) {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
    }
    try {
        $env:KHIT_DATA_DIR = Join-Path $scratch "data"
        $khit = Join-Path $Bundle "khit.exe"
        $db = Join-Path $folder "khit minh họa.db"
        $pdf = Join-Path $folder "Phụ lục 2020.pdf"
        Invoke-Native $khit @("init", "--db", $db, "--demo")
        Invoke-Native $khit @("annex", "--db", $db, "--year", "2020", "--out", $pdf)
        if (-not (Test-Path $pdf) -or (Get-Item $pdf).Length -lt 10000) { throw "khit.exe không ghi được phụ lục PDF." }
        Write-Host "khit.exe: cơ sở dữ liệu minh họa và phụ lục PDF - được"

        $hook = Select-String -Quiet -Pattern "KHIT_SELFTEST" -Path (Join-Path $Root "khit_desktop\app.py")
        $env:QT_QPA_PLATFORM = "offscreen"
        $env:KHIT_SELFTEST = "1"
        $gui = Start-Process -FilePath (Join-Path $Bundle "KHIT Desktop.exe") -ArgumentList "--demo" -PassThru
        if ($gui.WaitForExit(120000)) {
            if ($gui.ExitCode -ne 0) { throw "KHIT Desktop.exe thoát với mã $($gui.ExitCode)." }
            Write-Host "KHIT Desktop.exe: cửa sổ chính mở được (KHIT_SELFTEST) - được"
        } else {
            Stop-Process -Id $gui.Id -Force
            if ($hook) { throw "KHIT Desktop.exe không tự đóng sau 120 s dù có KHIT_SELFTEST." }
            # A windowed program that crashes shows PyInstaller's error box and waits: without
            # the hook, "still running" proves nothing here.
            Write-Warning "app.py chưa có KHIT_SELFTEST: chưa kiểm tra được cửa sổ trên Windows."
        }
    } finally {
        foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
        Remove-Item -Recurse -Force $scratch -ErrorAction SilentlyContinue
    }
}

if ($SkipInstaller) { return }

# 4. Vietnamese.isl -------------------------------------------------------------------------
Step "Inno Setup"
$iscc = Find-Iscc
$innoVersion = [version]((Get-Item $iscc).VersionInfo.ProductVersion -replace "[^0-9.].*$", "")
Write-Host "ISCC $innoVersion ($iscc)"
$isl = ""
if ($VietnameseIsl) {
    $isl = (Resolve-Path $VietnameseIsl).Path
} elseif ($innoVersion -lt [version]"6.5") {
    Write-Warning "Inno Setup $innoVersion < 6.5: Vietnamese.isl (6.5.0+) không dùng được; trình cài đặt dùng tiếng Anh."
} elseif (-not $NoDownload) {
    $isl = Join-Path $BuildDir "Vietnamese.isl"
    try {
        [Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls12
        Invoke-WebRequest -UseBasicParsing -Uri $VietnameseIslUrl -OutFile $isl
    } catch {
        Write-Warning "Không tải được Vietnamese.isl ($($_.Exception.Message)); trình cài đặt dùng tiếng Anh."
        $isl = ""
    }
}

# 5. installer ------------------------------------------------------------------------------
$isccArgs = @("/Qp", "/DAppVersion=$Version", "/DBundleDir=$Bundle")
if ($isl) { $isccArgs += "/DVietnameseIsl=$isl" }
$isccArgs += (Join-Path $Root "installer\khit.iss")
Invoke-Native $iscc $isccArgs
$setup = Join-Path $Dist "installer\KHIT-Desktop-$Version-Setup.exe"
if (-not (Test-Path $setup)) { throw "Không thấy $setup." }
Write-Host ("Trình cài đặt: {0} ({1:N0} MB)" -f $setup, ((Get-Item $setup).Length / 1MB)) -ForegroundColor Green
