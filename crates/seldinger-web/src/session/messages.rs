//! This area's messages, each in both languages (see [`crate::i18n`]).

use crate::i18n::messages;

messages! { MESSAGES {
    "login.title" => "Sign in", "Connexion";
    "login.username" => "Username", "Identifiant";
    "login.password" => "Password", "Mot de passe";
    "login.submit" => "Sign in", "Se connecter";
    "login.failed" => "Wrong username or password.", "Identifiant ou mot de passe incorrect.";
    "login.limited" => "Too many attempts. Wait a minute and try again.", "Trop de tentatives. Patientez une minute avant de réessayer.";
    "login.expired" => "Please sign in to continue.", "Connectez-vous pour continuer.";
} }
