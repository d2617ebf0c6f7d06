// Only for building this folder on its own (`gradle assembleRelease`, which writes the AAR);
// a project that includes the module uses its own settings and plugin versions.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
    plugins {
        id("com.android.library") version "8.7.3"
    }
}

dependencyResolutionManagement {
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "mcptt-kmc"
